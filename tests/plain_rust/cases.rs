// The behaviour cases of "plain Rust in a #[task] body", shared by the workspace's edition
// and the edition-2021 crate (`tests/edition2021`), which `include!`s this file: the same
// bodies must compile and behave the same on every edition.
//
// The including file brings `scheduler` (under that name) into scope.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Display;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use scheduler::{task, Scheduler};

fn pool() -> Scheduler<scheduler::MultiThread> {
    Scheduler::builder().threads(2).build()
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

/// A store whose methods are task fns taking `&self` and `&mut self`.
struct Store {
    items: HashMap<String, u32>,
}

impl Store {
    #[task]
    fn get(&self, key: &str) -> Option<u32> {
        scheduler::yield_now();
        self.items.get(key).copied()
    }

    #[task]
    fn put(&mut self, key: &str, value: u32) {
        scheduler::yield_now();
        self.items.insert(key.to_string(), value);
    }

    #[task]
    fn first_of<'a>(&self, a: &'a str, _b: &str) -> &'a str {
        scheduler::yield_now();
        a
    }
}

/// A borrowing view, named with `'_` in task fn signatures.
struct View<'a> {
    text: &'a str,
}

#[task]
fn view_len(view: View<'_>) -> usize {
    scheduler::yield_now();
    view.text.len()
}

#[task]
fn longest<'a>(a: &'a str, b: &'a str) -> &'a str {
    scheduler::yield_now();
    if a.len() >= b.len() { a } else { b }
}

#[task]
fn show(value: impl Display, times: &usize) -> String {
    scheduler::yield_now();
    value.to_string().repeat(*times)
}

#[task]
fn store_roundtrip() -> (Option<u32>, Option<u32>, String) {
    let mut store = Store { items: HashMap::new() };
    store.put("a", 1);
    let a = store.get("a");
    let missing = store.get("b");
    let first = store.first_of("x", "y").to_string();
    (a, missing, first)
}

#[test]
fn reference_parameters_and_self_methods_are_task_fns() {
    let s = Scheduler::new();
    assert_eq!(s.run_until_finished(store_roundtrip, ()), (Some(1), None, "x".into()));
    let text = String::from("hello");
    assert_eq!(s.run_until_finished(view_len, (View { text: &text },)), 5);
    assert_eq!(s.run_until_finished(longest, ("ab", "abc")), "abc");
    assert_eq!(s.run_until_finished(show, (7, &3)), "777");
}

/// The most common way to share state in Rust, locked briefly between pauses.
#[task]
fn count_under_a_std_lock(shared: Arc<Mutex<Vec<u32>>>, n: u32) -> usize {
    for i in 0..n {
        {
            let mut guard = shared.lock().unwrap();
            guard.push(i);
            guard.sort();
        }
        scheduler::yield_now();
    }
    let len = {
        let guard = shared.lock().unwrap();
        guard.len()
    };
    scheduler::yield_now();
    len
}

#[task]
fn rc_between_pauses() -> usize {
    scheduler::yield_now();
    let n = {
        let rc = Rc::new(RefCell::new(vec![1, 2, 3]));
        rc.borrow_mut().push(4);
        let n = rc.borrow().len();
        rc.borrow_mut().clear();
        n
    };
    scheduler::yield_now();
    n
}

#[test]
fn a_std_mutex_locked_in_a_block_keeps_the_task_send_on_a_pool() {
    let shared = Arc::new(Mutex::new(Vec::new()));
    let fut = assert_send(count_under_a_std_lock(shared.clone(), 1));
    assert_eq!(scheduler::Scheduler::new().run_until_finished(move || fut, ()), 1);
    let s = pool();
    let handles: Vec<_> = (0..4)
        .map(|_| s.queue_to_run(count_under_a_std_lock, (shared.clone(), 10)))
        .collect();
    s.run();
    for handle in handles {
        assert!(handle.is_finished());
    }
    assert_eq!(shared.lock().unwrap().len(), 41);
}

#[test]
fn an_rc_made_and_dropped_between_pauses_keeps_the_task_send() {
    let s = pool();
    assert_eq!(s.run_until_finished(rc_between_pauses, ()), 4);
}

#[task]
fn fact(n: u64) -> u64 {
    if n == 0 {
        1
    } else {
        scheduler::yield_now();
        n * fact(n - 1)
    }
}

#[task]
fn fact_by_run(n: u64) -> u64 {
    if n == 0 {
        return 1;
    }
    n * scheduler::run_until_finished(fact_by_run, (n - 1,))
}

struct Tree {
    children: Vec<Tree>,
}

impl Tree {
    #[task]
    fn size(&self) -> usize {
        scheduler::yield_now();
        let mut total = 1;
        for child in &self.children {
            total += child.size();
        }
        total
    }
}

#[test]
fn a_task_fn_may_call_itself() {
    let s = Scheduler::new();
    assert_eq!(s.run_until_finished(fact, (10,)), 3_628_800);
    assert_eq!(s.run_until_finished(fact_by_run, (10,)), 3_628_800);
    let tree = Tree {
        children: vec![Tree { children: vec![] }, Tree { children: vec![Tree { children: vec![] }] }],
    };
    assert_eq!(s.run_until_finished(|| tree.size(), ()), 4);
    assert_eq!(pool().run_until_finished(fact, (20,)), 2_432_902_008_176_640_000);
}

#[task]
fn sleeps_then_reports(steps: u32) -> u32 {
    let mut total = 0;
    for step in 0..steps {
        scheduler::sleep(Duration::from_millis(1));
        total += step;
    }
    total
}

#[test]
fn a_task_future_is_no_bigger_than_the_same_async_fn() {
    async fn by_hand(steps: u32) -> u32 {
        let mut total = 0;
        for step in 0..steps {
            scheduler::sleep(Duration::from_millis(1)).await;
            total += step;
        }
        total
    }
    let ours = sleeps_then_reports(3);
    let theirs = by_hand(3);
    // Our future is the body's state plus the pause's name and call site.
    let overhead = std::mem::size_of::<scheduler::Pause<()>>();
    assert!(
        std::mem::size_of_val(&ours) <= std::mem::size_of_val(&theirs) + overhead,
        "task {} bytes, async fn {} bytes",
        std::mem::size_of_val(&ours),
        std::mem::size_of_val(&theirs)
    );
    let s = Scheduler::new();
    assert_eq!(s.run_until_finished(move || ours, ()), 3);
    assert_eq!(s.run_until_finished(move || scheduler::wait(theirs), ()), 3);
}

// Two task fns that call or queue each other: one of them is `boxed`, which puts its
// future on the heap (one allocation per call) behind a type the compiler can size and
// knows is `Send`.

#[task(boxed)]
fn ping(n: u32) -> u32 {
    if n == 0 { 0 } else { pong(n - 1) + 1 }
}

#[task]
fn pong(n: u32) -> u32 {
    if n == 0 { 0 } else { scheduler::run_until_finished(ping, (n - 1,)) + 1 }
}

#[task(boxed)]
fn queue_pong(n: u32, log: Arc<Mutex<Vec<u32>>>) {
    log.lock().unwrap().push(n);
    if n > 0 {
        scheduler::queue_to_run(queue_ping, (n - 1, log));
    }
}

#[task]
fn queue_ping(n: u32, log: Arc<Mutex<Vec<u32>>>) {
    log.lock().unwrap().push(n);
    if n > 0 {
        scheduler::queue_to_run(queue_pong, (n - 1, log));
    }
}

struct Named<'a> {
    name: &'a str,
}

impl<'a> Named<'a> {
    #[task(boxed)]
    fn greet(&self, greeting: &str) -> String {
        scheduler::yield_now();
        format!("{greeting} {}", self.name)
    }
}

#[test]
fn two_task_fns_may_call_run_and_queue_each_other() {
    let s = Scheduler::new();
    assert_eq!(s.run_until_finished(ping, (6,)), 6);
    let log = Arc::new(Mutex::new(Vec::new()));
    let p = pool();
    p.queue_to_run(queue_ping, (5, log.clone()));
    p.run();
    assert_eq!(*log.lock().unwrap(), [5, 4, 3, 2, 1, 0]);
    let named = Named { name: "ada" };
    assert_eq!(s.run_until_finished(|| named.greet("hi"), ()), "hi ada");
}

/// A trait whose method is a pause point in every impl.
trait Source {
    #[task]
    fn fetch(&self, key: &str) -> String;

    #[task]
    fn fetch_twice(&self, key: &str) -> String {
        let first = self.fetch(key);
        first + &self.fetch(key)
    }
}

struct Echo;

impl Source for Echo {
    #[task]
    fn fetch(&self, key: &str) -> String {
        scheduler::yield_now();
        key.to_uppercase()
    }
}

struct Slow {
    ms: u64,
}

impl Source for Slow {
    #[task]
    fn fetch(&self, key: &str) -> String {
        scheduler::sleep(Duration::from_millis(self.ms));
        key.to_string()
    }
}

#[task]
fn fetch_from<S: Source>(source: &S, key: &str) -> String {
    source.fetch_twice(key)
}

#[test]
fn a_trait_method_may_be_a_task_fn() {
    let s = Scheduler::new();
    assert_eq!(s.run_until_finished(fetch_from, (&Echo, "a")), "AA");
    assert_eq!(s.run_until_finished(fetch_from, (&Slow { ms: 1 }, "b")), "bb");
    let echo = Echo;
    assert_eq!(pool().run_until_finished(|| echo.fetch("x"), ()), "X");
}

#[task]
fn queue_a_closure_that_waits() -> bool {
    let event = Arc::new(scheduler::sync::Event::new());
    let waiter = event.clone();
    let waiting = scheduler::queue_to_run(move || waiter.wait(), ());
    scheduler::yield_now();
    event.set();
    waiting.join().is_ok()
}

/// In a `#[task]` body only: in plain code no macro sees the closure, and a closure cannot
/// return a borrow of what it owns (rustc: "lifetime may not live long enough").
#[test]
fn a_move_closure_whose_body_is_one_pause_queues_like_a_task_fn() {
    assert!(Scheduler::new().run_until_finished(queue_a_closure_that_waits, ()));
    assert!(pool().run_until_finished(queue_a_closure_that_waits, ()));
}
