use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

async fn set_flag(flag: Arc<AtomicBool>) {
    flag.store(true, Ordering::SeqCst);
}

#[scheduler::task]
fn forgets_to_wait(flag: Arc<AtomicBool>) -> bool {
    set_flag(flag.clone());
    flag.load(Ordering::SeqCst)
}

fn main() {}
