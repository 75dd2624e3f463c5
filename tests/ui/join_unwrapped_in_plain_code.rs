fn main() {
    let s = scheduler::Scheduler::new();
    let h = s.queue_to_run(|| 7, ());
    let n: u32 = h.join().unwrap();
    println!("{n}");
}
