#[scheduler::task(name = tv::on)]
fn turn_on_tv() {}

fn main() {
    let s = scheduler::Scheduler::new();
    s.run_until_finished(turn_on_tv, ());
}
