//! Property tests of the parser (filled in by the reliability work).
