//! Sharing between tasks: `cargo run --example sync`.
//!
//! A remote control's button presses go through a channel to the TV; a `Mutex` holds the
//! volume, a `Semaphore` lets two apps download at once, and an `Event` says "powered on".

use std::rc::Rc;
use std::time::Duration;

use scheduler::sync::{Event, Mutex, Receiver, Semaphore, Sender, channel};
use scheduler::task;

#[task]
fn remote(presses: Sender<&'static str>, powered: Rc<Event>) {
    powered.wait(); // nothing to press until the TV is on
    for button in ["volume up", "volume up", "volume down", "volume up"] {
        presses.send(button).expect("the TV listens");
        scheduler::sleep(Duration::from_millis(2));
    }
} // the sender is dropped: the TV sees the channel close

#[task]
fn tv(presses: Receiver<&'static str>, volume: Rc<Mutex<u32>>) {
    while let Ok(button) = presses.recv() {
        let mut level = volume.lock();
        match button {
            "volume up" => *level += 1,
            _ => *level -= 1,
        }
        println!("{button}: volume {}", *level);
    }
    println!("the remote is gone");
}

#[task]
fn install(app: &'static str, slots: Rc<Semaphore>) {
    let _permit = slots.acquire(); // at most two at once
    println!("downloading {app}");
    scheduler::sleep(Duration::from_millis(10));
    println!("installed {app}");
}

#[scheduler::main]
fn main() {
    let (presses, received) = channel(1);
    let volume = Rc::new(Mutex::new(10));
    let powered = Rc::new(Event::new());
    let slots = Rc::new(Semaphore::new(2));

    let mut handles = vec![
        scheduler::queue_to_run(remote, (presses, powered.clone())),
        scheduler::queue_to_run(tv, (received, volume.clone())),
    ];
    for app in ["news", "weather", "films"] {
        handles.push(scheduler::queue_to_run(install, (app, slots.clone())));
    }
    scheduler::sleep(Duration::from_millis(5));
    println!("powered on");
    powered.set();
    scheduler::wait_all(handles);
    println!("final volume {}", *volume.lock());
}
