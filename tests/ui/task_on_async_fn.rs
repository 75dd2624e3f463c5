#[scheduler::task]
async fn turn_on_tv() {
    println!("tv on");
}

fn main() {
    let s = scheduler::Scheduler::new();
    s.run_until_finished(turn_on_tv, ());
}
