#[scheduler::main(flavor = "multi_thread")]
fn main() {
    scheduler::yield_now();
}
