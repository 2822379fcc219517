fn read_config(path: PathBuf) -> std::io::Result<String> {
    let mut __retry = ::retry::__private::blocking::<
        std::io::Result<String>,
    >(
            &::retry::__private::Policy::constant(
                    ::retry::__private::Duration::new(0u64, 250000000u32),
                )
                .jitter(::retry::__private::Jitter::None)
                .max_tries(5u32),
        )
        .name(::core::concat!(::core::module_path!(), "::", "read_config"));
    __retry.start();
    loop {
        let __outcome = ::retry::__private::attempt::<
            std::io::Result<String>,
            _,
        >(|| {
            #[allow(unused_variables)]
            let path = ::retry::__private::clone_arg(&path);
            std::fs::read_to_string(&path)
        });
        match __retry.after(&__outcome) {
            ::retry::__private::Step::Done => return __outcome,
            ::retry::__private::Step::Sleep(__wait) => {
                ::retry::__private::sleep_blocking(__wait)
            }
        }
    }
}
