struct Queue;

impl Queue {
    #[scheduler::task]
    fn len(&self) -> usize {
        scheduler::yield_now();
        0
    }
}

#[scheduler::task]
fn default() -> u32 {
    1
}

fn main() {}
