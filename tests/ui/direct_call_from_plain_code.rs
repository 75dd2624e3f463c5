#![deny(unused_must_use)]

#[scheduler::task]
fn set_tv_channel(channel: u32) -> u32 {
    channel
}

fn plain_helper() {
    set_tv_channel(7);
}

fn main() {
    plain_helper();
}
