async fn fetch(client: &reqwest::Client, url: &str) -> Result<String, reqwest::Error> {
    let mut __retry = ::retry::__private::asynchronous::<
        Result<String, reqwest::Error>,
    >(
            &::retry::__private::Policy::expo()
                .max_tries(4u32)
                .max_time(::retry::__private::Duration::new(50u64, 0u32)),
        )
        .name(::core::concat!(::core::module_path!(), "::", "fetch"))
        .giveup(fatal_code);
    __retry.start();
    loop {
        let __outcome = ::retry::__private::attempt_async::<
            Result<String, reqwest::Error>,
            _,
        >(async { client.get(url).send().await?.error_for_status()?.text().await })
            .await;
        match __retry.after(&__outcome) {
            ::retry::__private::Step::Done => return __outcome,
            ::retry::__private::Step::Sleep(__wait) => {
                ::retry::__private::sleep_with(
                        &::retry::__private::DefaultSleeper::default(),
                        __wait,
                    )
                    .await
            }
        }
    }
}
