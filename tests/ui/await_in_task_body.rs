use std::time::Duration;

#[scheduler::task]
fn turn_on_tv() {
    scheduler::sleep(Duration::from_millis(20)).await;
    println!("tv on");
}

fn main() {
    let s = scheduler::Scheduler::new();
    s.run_until_finished(turn_on_tv, ());
}
