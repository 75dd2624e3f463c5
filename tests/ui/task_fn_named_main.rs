#[scheduler::task]
fn main() {
    scheduler::yield_now();
}
