async fn fetch(client: &reqwest::Client, url: &str) -> Result<String, reqwest::Error> {
    const __RETRY_POLICY: ::retry::__private::Policy = ::retry::__private::Keys {
        max_tries: ::retry::__private::KeyTries::At(4u32),
        max_time: ::core::option::Option::Some(
            ::retry::__private::Duration::new(50u64, 0u32),
        ),
        ..::retry::__private::Keys::DEFAULT
    }
        .literal(true, false);
    let mut __retry = ::retry::__private::asynchronous::<
        Result<String, reqwest::Error>,
        _,
        ::retry::__private::AsyncClockFor<true, false>,
    >(::retry::__private::Undecorrelated::new(&__RETRY_POLICY))
        .label(::core::concat!(::core::module_path!(), "::", "fetch"))
        .giveup({
            #[allow(unused_imports)]
            use ::retry::__private::check::{Passes as _, StandIn as _};
            ::retry::__private::check::giveup::<
                Result<String, reqwest::Error>,
                _,
                _,
            >(fatal_code)
                .value()
        })
        .describe_errors({
            #[allow(unused_imports)]
            use ::retry::__private::describe::{
                ViaDebug as _, ViaDisplay as _, ViaNothing as _,
            };
            (&&&::retry::__private::describe::Probe::<
                <Result<String, reqwest::Error> as ::retry::__private::IsResult>::Err,
            >::new())
                .describer()
        });
    __retry.start();
    loop {
        let __wait = {
            let __outcome = ::retry::__private::attempt_async::<
                Result<String, reqwest::Error>,
                _,
            >(async {
                    let __ret: Result<String, reqwest::Error> = {
                        client.get(url).send().await?.error_for_status()?.text().await
                    };
                    #[allow(unreachable_code)] __ret
                })
                .await;
            match __retry
                .after_with(
                    ::retry::__private::Undecorrelated::new(&__RETRY_POLICY),
                    ::retry::__private::as_result::<
                        Result<String, reqwest::Error>,
                    >(&__outcome),
                )
            {
                ::retry::__private::Step::Done => return __outcome,
                ::retry::__private::Step::Sleep(__wait) => __wait,
            }
        };
        if ::retry::__private::nonzero(__wait) {
            ::retry::__private::Sleeper::sleep(
                    &::retry::__private::DefaultSleeper::default(),
                    __wait,
                )
                .await;
        }
    }
}
