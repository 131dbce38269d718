//! The `policy-themes` binary: the command line over the library. It parses the flags
//! ([`args`]), runs a mode ([`commands`]), draws progress ([`progress`]) and says on stderr what
//! the library returns as data: warnings, skipped files, errors (one line each).

mod args;
mod commands;
mod progress;

fn main() {
    std::process::exit(commands::main());
}
