async fn fetch(client: &reqwest::Client, url: &str) -> Result<String, reqwest::Error> {
    static __RETRY_SPEC: ::retry::__private::Spec = ::retry::__private::Spec {
        policy: ::retry::__private::Policy::expo()
            .max_tries(4u32)
            .max_time(::retry::__private::Duration::new(50u64, 0u32)),
        name: ::core::concat!(::core::module_path!(), "::", "fetch"),
    };
    let mut __retry = ::retry::__private::lean::<
        1usize,
        0usize,
        1,
        _,
        _,
        _,
        _,
    >(
        &__RETRY_SPEC,
        ::retry::__private::asynchronous::<
            Result<String, reqwest::Error>,
        >(&__RETRY_SPEC.policy)
            .giveup(fatal_code),
    );
    __retry.start();
    loop {
        let __wait = {
            let __outcome = ::retry::__private::attempt_async::<
                Result<String, reqwest::Error>,
                _,
            >(async { client.get(url).send().await?.error_for_status()?.text().await })
                .await;
            match __retry.after(&__RETRY_SPEC, &__outcome) {
                ::retry::__private::Step::Done => return __outcome,
                ::retry::__private::Step::Sleep(__wait) => __wait,
            }
        };
        if ::retry::__private::nonzero(__wait) {
            ::retry::__private::Sleeper::sleep(
                    &::retry::__private::DefaultSleeper::default(),
                    __wait,
                )
                .await
        }
    }
}
