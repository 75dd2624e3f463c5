fn plain(rx: scheduler::sync::Receiver<u32>) -> u32 {
    scheduler::select! {
        Ok(n) = rx.recv() => n,
        _ = scheduler::yield_now() => 0,
    }
}

fn main() {}
