#![deny(unused_must_use)]

struct Counter {
    count: u32,
}

impl Counter {
    #[scheduler::task]
    fn get(&self) -> u32 {
        self.count
    }
}

fn plain_helper(counter: &Counter) {
    counter.get();
}

fn main() {
    plain_helper(&Counter { count: 1 });
}
