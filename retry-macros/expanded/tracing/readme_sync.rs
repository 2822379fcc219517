fn read_config(path: PathBuf) -> std::io::Result<String> {
    #[diagnostic::on_unimplemented(
        message = "`path` is owned and not `Clone`, but #[retry] runs the body once per attempt, each with its own copy of `path`",
        label = "`path` is owned and not `Clone`",
        note = "take `path` by reference (`&{Self}`), or make `{Self}` `Clone`"
    )]
    trait __RetryCopy0: ::core::marker::Sized {
        fn copy(&self) -> ::retry::__private::PerAttempt<Self>;
    }
    impl<__T: ::core::clone::Clone> __RetryCopy0 for __T {
        #[inline(always)]
        fn copy(&self) -> ::retry::__private::PerAttempt<Self> {
            ::retry::__private::clone_arg(self)
        }
    }
    const __RETRY_POLICY: ::retry::__private::Policy = ::retry::__private::Keys {
        schedule: ::retry::__private::KeySchedule::Constant(
            ::retry::__private::Duration::new(0u64, 250000000u32),
        ),
        jitter: ::core::option::Option::Some(::retry::__private::Jitter::None),
        max_tries: ::retry::__private::KeyTries::At(5u32),
        ..::retry::__private::Keys::DEFAULT
    }
        .literal(false, false);
    ::retry::__private::outcome::<
        std::io::Result<String>,
    >(
        ::retry::__private::blocking::<
            std::io::Result<String>,
            _,
            ::retry::__private::SyncClock<false, false>,
        >(::retry::__private::Undecorrelated::new(&__RETRY_POLICY))
            .label(::core::concat!(::core::module_path!(), "::", "read_config"))
            .describe_errors({
                #[allow(unused_imports)]
                use ::retry::__private::describe::{
                    ViaDebug as _, ViaDisplay as _, ViaNothing as _,
                };
                (&&&::retry::__private::describe::Probe::<
                    <std::io::Result<String> as ::retry::__private::IsResult>::Err,
                >::new())
                    .describer()
            })
            .run(|
                __attempt: u32,
            | -> ::retry::__private::Outcome<std::io::Result<String>> {
                let __copy0 = __RetryCopy0::copy(&path);
                #[allow(unused_variables)]
                let path = __copy0.take();
                let __ret: std::io::Result<String> = { std::fs::read_to_string(&path) };
                #[allow(unreachable_code)]
                ::retry::__private::into_outcome::<std::io::Result<String>>(__ret)
            }),
    )
}
