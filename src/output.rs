//! Writing to stdout from a command-line tool that may be piped into `head`.

use std::io::Write;

/// Writes a line to stdout. If the reader has gone (`synaptogen bench ... | head -1`), stops
/// quietly with success, as a C tool killed by SIGPIPE would, instead of panicking.
pub fn line(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.write_all(b"\n")) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to stdout: {e}");
        std::process::exit(1);
    }
}

/// `println!` that survives a closed pipe (see [`line`]).
macro_rules! outln {
    () => {
        $crate::output::line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}
pub(crate) use outln;
