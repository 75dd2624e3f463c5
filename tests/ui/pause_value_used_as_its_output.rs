#[scheduler::task]
fn set_tv_channel(channel: u32) -> u32 {
    channel
}

fn main() {
    let x: u32 = set_tv_channel(7);
    println!("{x}");
}
