use std::time::Duration;

#[scheduler::task]
fn nap_each(delays: Vec<u64>) {
    delays.iter().for_each(|ms| {
        scheduler::sleep(Duration::from_millis(*ms));
    });
}

fn main() {
    let s = scheduler::Scheduler::new();
    s.run_until_finished(nap_each, (vec![1, 2],));
}
