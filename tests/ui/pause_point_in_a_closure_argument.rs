use scheduler::task;

#[task]
fn double(x: u32) -> u32 {
    x * 2
}

#[task]
fn body(opt: Option<u32>) -> u32 {
    // A closure handed to a plain call cannot pause, and neither can what it returns.
    (0..3).for_each(|_| scheduler::yield_now());
    let v = opt.map(|x| double(x)).unwrap();
    v + 1
}

fn main() {}
