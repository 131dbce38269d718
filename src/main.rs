//! The `policy-themes` binary: a thin shell over the library's command line.

fn main() {
    std::process::exit(policy_themes::cli::main());
}
