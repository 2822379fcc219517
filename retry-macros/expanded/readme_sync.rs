fn read_config(path: PathBuf) -> std::io::Result<String> {
    static __RETRY_SPEC: ::retry::__private::Spec = ::retry::__private::Spec {
        policy: ::retry::__private::Policy::constant(
                ::retry::__private::Duration::new(0u64, 250000000u32),
            )
            .jitter(::retry::__private::Jitter::None)
            .max_tries(5u32),
        name: ::core::concat!(::core::module_path!(), "::", "read_config"),
    };
    let mut __retry = ::retry::__private::lean::<
        0usize,
        0usize,
        { ::retry::__private::CLOCK_FOR_TRACING },
        _,
        _,
        _,
        _,
    >(
        &__RETRY_SPEC,
        ::retry::__private::blocking::<std::io::Result<String>>(&__RETRY_SPEC.policy),
    );
    __retry.start();
    loop {
        let __wait = {
            let __outcome = {
                let __clone0 = ::retry::__private::clone_arg(&path);
                ::retry::__private::attempt::<
                    std::io::Result<String>,
                    _,
                >(|| {
                    #[allow(unused_variables)]
                    let path = __clone0.take();
                    std::fs::read_to_string(&path)
                })
            };
            match __retry.after(&__RETRY_SPEC, &__outcome) {
                ::retry::__private::Step::Done => return __outcome,
                ::retry::__private::Step::Sleep(__wait) => __wait,
            }
        };
        ::retry::__private::sleep_blocking(__wait);
    }
}
