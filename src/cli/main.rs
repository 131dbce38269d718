//! The `policy-themes` binary: the command line over the library. It parses the flags
//! ([`args`]), runs a mode ([`commands`]), draws progress ([`progress`]) and says on stderr what
//! the library returns as data: warnings, skipped files, errors (one line each).

mod args;
mod commands;
mod progress;

fn main() {
    std::process::exit(commands::main());
}

/// jemalloc, with its background threads handing freed pages back to the system, rather than
/// glibc's malloc with `malloc_trim` called where it lowered the peak. Measured on
/// `run ../shared/corpus/laws --k 30`, 3 runs of each alternating (2 busy cores):
///
/// | allocator             | peak RSS (MiB) | user + sys (s)      | wall (s)            |
/// |-----------------------|----------------|---------------------|---------------------|
/// | glibc + `malloc_trim` | 547, 542, 548  | 12.55, 12.11, 12.31 | 19.20, 18.26, 18.45 |
/// | jemalloc, background  | 541, 533, 523  | 11.42, 11.71, 11.50 | 17.54, 17.64, 17.51 |
///
/// (Peak RSS of the whole process, `/usr/bin/time`. The stages' own peaks in `run.json` are
/// higher with jemalloc, 521 MiB against 464 at `concrete`: glibc's peak comes later, in the
/// write stage.)
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
