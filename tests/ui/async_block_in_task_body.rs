#[scheduler::task]
fn fetch() -> u32 {
    let answer = async { 42 };
    scheduler::wait(answer)
}

fn main() {
    let s = scheduler::Scheduler::new();
    s.run_until_finished(fetch, ());
}
