//! Scenarios and fixtures are embedded with `include_dir!`, which cannot tell cargo about files it
//! reads; without this, adding or editing one would not rebuild the binary.

fn main() {
    println!("cargo:rerun-if-changed=scenarios");
    println!("cargo:rerun-if-changed=fixtures");
}
