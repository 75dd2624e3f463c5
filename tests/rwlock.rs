//! `sync::RwLock`: readers share the lock, a writer waits for them and has it alone, a
//! waiting writer keeps new readers out, and a cancelled wait or a cancelled holder loses
//! nothing.

#[macro_use]
#[path = "support/flavours.rs"]
mod flavours;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use scheduler::sync::{Event, RwLock};
use scheduler::{TaskError, task};

on_both_flavours!(
    readers_hold_the_lock_together,
    a_writer_waits_until_every_reader_is_gone,
    a_waiting_writer_keeps_new_readers_out,
    a_cancelled_write_loses_nothing,
    a_cancelled_holder_releases_the_lock,
);

/// Holds a read guard until `release` is set; sets `holding` once it has it.
#[task]
fn read_until(lock: Arc<RwLock<u32>>, holding: Arc<Event>, release: Arc<Event>) -> u32 {
    let guard = lock.read();
    holding.set();
    release.wait();
    *guard
}

#[task]
fn readers_hold_the_lock_together() {
    let lock = Arc::new(RwLock::new(1));
    let (holding, release) = (Arc::new(Event::new()), Arc::new(Event::new()));
    let reader =
        scheduler::queue_to_run(read_until, (lock.clone(), holding.clone(), release.clone()));
    holding.wait();
    assert_eq!(
        *lock.read(),
        1,
        "a second reader gets in while the first holds it"
    );
    assert!(
        lock.try_write().is_none(),
        "no writer while a reader holds it"
    );
    release.set();
    assert_eq!(reader.join().unwrap(), 1);
}

#[task]
fn write_then_flag(lock: Arc<RwLock<u32>>, written: Arc<AtomicBool>) {
    *lock.write() += 1;
    written.store(true, Ordering::SeqCst);
}

#[task]
fn a_writer_waits_until_every_reader_is_gone() {
    let lock = Arc::new(RwLock::new(1));
    let (holding, release) = (Arc::new(Event::new()), Arc::new(Event::new()));
    let reader =
        scheduler::queue_to_run(read_until, (lock.clone(), holding.clone(), release.clone()));
    holding.wait();
    let written = Arc::new(AtomicBool::new(false));
    let writer = scheduler::queue_to_run(write_then_flag, (lock.clone(), written.clone()));
    for _ in 0..10 {
        scheduler::yield_now();
    }
    assert!(
        !written.load(Ordering::SeqCst),
        "wrote while a reader held the lock"
    );
    release.set();
    assert_eq!(
        reader.join().unwrap(),
        1,
        "the reader saw the value before the write"
    );
    writer.join().unwrap();
    assert_eq!(*lock.read(), 2);
}

#[task]
fn a_waiting_writer_keeps_new_readers_out() {
    let lock = Arc::new(RwLock::new(1));
    let (holding, release) = (Arc::new(Event::new()), Arc::new(Event::new()));
    let reader =
        scheduler::queue_to_run(read_until, (lock.clone(), holding.clone(), release.clone()));
    holding.wait();
    let writer = scheduler::queue_to_run(
        write_then_flag,
        (lock.clone(), Arc::new(AtomicBool::new(false))),
    );
    // Handshake: new readers are kept out from the moment the writer waits.
    while let Some(guard) = lock.try_read() {
        drop(guard);
        scheduler::yield_now();
    }
    release.set();
    reader.join().unwrap();
    writer.join().unwrap();
    assert_eq!(*lock.read(), 2, "the writer went first, then readers again");
}

#[task]
fn a_cancelled_write_loses_nothing() {
    let lock = Arc::new(RwLock::new(1));
    let (holding, release) = (Arc::new(Event::new()), Arc::new(Event::new()));
    let reader =
        scheduler::queue_to_run(read_until, (lock.clone(), holding.clone(), release.clone()));
    holding.wait();
    let writer = scheduler::queue_to_run(
        write_then_flag,
        (lock.clone(), Arc::new(AtomicBool::new(false))),
    );
    while let Some(guard) = lock.try_read() {
        drop(guard);
        scheduler::yield_now(); // until the writer waits
    }
    writer.cancel();
    assert!(matches!(writer.join(), Err(TaskError::Cancelled { .. })));
    assert!(
        lock.try_read().is_some(),
        "readers get in again once the writer gave up"
    );
    release.set();
    reader.join().unwrap();
    assert_eq!(
        *lock.try_write().expect("free: nobody holds it"),
        1,
        "nothing was written"
    );
}

#[task]
fn hold_write_forever(lock: Arc<RwLock<u32>>, holding: Arc<Event>) {
    let _guard = lock.write();
    holding.set();
    Event::new().wait(); // until cancelled
}

#[task]
fn a_cancelled_holder_releases_the_lock() {
    let lock = Arc::new(RwLock::new(1));
    let holding = Arc::new(Event::new());
    let holder = scheduler::queue_to_run(hold_write_forever, (lock.clone(), holding.clone()));
    holding.wait();
    assert!(lock.try_read().is_none());
    holder.cancel();
    assert!(matches!(holder.join(), Err(TaskError::Cancelled { .. })));
    assert_eq!(*lock.read(), 1, "the guard was dropped with the task");
}

#[test]
fn the_lock_is_send_and_sync_when_its_value_is() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<RwLock<Vec<u32>>>();
}
