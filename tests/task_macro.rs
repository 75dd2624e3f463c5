//! What `#[task]`, `#[scheduler::main]` and `#[scheduler::test]` accept: each test is named
//! after the shape of fn or body it shows working.

use std::fmt::Display;
use std::time::Duration;

use scheduler::{Scheduler, task};

/// Runs `f(args)` to completion on a fresh scheduler.
macro_rules! run {
    ($f:expr, $args:expr) => {
        Scheduler::new().run_until_finished($f, $args)
    };
}

#[task]
fn double(x: u32) -> u32 {
    scheduler::yield_now();
    x * 2
}

#[test]
fn a_free_fn_runs_as_a_task() {
    assert_eq!(run!(double, (21,)), 42);
}

#[task]
fn no_return_value(log: std::sync::Arc<std::sync::Mutex<Vec<u32>>>) {
    scheduler::sleep(Duration::from_millis(1));
    *log.lock().unwrap() = vec![1];
}

#[test]
fn a_fn_without_return_type_returns_unit() {
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    run!(no_return_value, (log.clone(),));
    assert_eq!(*log.lock().unwrap(), [1]);
}

/// Docs and attributes stay on the fn.
#[task]
#[inline]
#[allow(clippy::needless_pass_by_value)]
fn generic_with_where<T, U: Display>(channel: T, label: U) -> String
where
    T: Into<u32> + Copy,
{
    scheduler::yield_now();
    format!("{label} {}", channel.into())
}

#[test]
fn a_generic_fn_with_a_where_clause_runs() {
    assert_eq!(run!(generic_with_where, (7u8, "channel")), "channel 7");
}

struct Counter {
    count: u32,
}

impl Counter {
    #[task]
    fn get(&self) -> u32 {
        scheduler::yield_now();
        self.count
    }

    #[task]
    fn bump(&mut self, by: u32) -> u32 {
        scheduler::yield_now();
        self.count += by;
        self.count
    }

    #[task]
    fn into_count(self) -> u32 {
        scheduler::yield_now();
        self.count
    }

    #[task]
    fn starting_at(count: u32) -> Counter {
        scheduler::yield_now();
        Counter { count }
    }

    #[task]
    fn bump_twice(&mut self) -> u32 {
        self.bump(1);
        self.bump(1) // calling a #[task] method directly pauses and gives its value
    }
}

#[test]
fn a_method_with_ref_self_runs() {
    let counter = Counter { count: 3 };
    assert_eq!(run!(Counter::get, (&counter,)), 3);
}

#[test]
fn a_method_with_mut_self_runs() {
    let mut counter = Counter { count: 3 };
    assert_eq!(run!(Counter::bump, (&mut counter, 2)), 5);
    assert_eq!(counter.count, 5);
}

#[test]
fn a_method_taking_self_runs() {
    assert_eq!(run!(Counter::into_count, (Counter { count: 9 },)), 9);
}

#[test]
fn an_associated_fn_without_self_runs() {
    assert_eq!(run!(Counter::starting_at, (4,)).count, 4);
}

#[test]
fn a_method_calling_a_method_pauses_on_it() {
    let mut counter = Counter { count: 0 };
    assert_eq!(run!(Counter::bump_twice, (&mut counter,)), 2);
}

#[task]
fn parse_sum(a: &str, b: &str) -> Result<u32, std::num::ParseIntError> {
    let a: u32 = a.parse()?;
    scheduler::yield_now();
    let b = b.parse::<u32>()?;
    Ok(a + b)
}

#[test]
fn question_mark_works_in_a_result_task() {
    assert_eq!(run!(parse_sum, ("1", "2")), Ok(3));
    assert!(run!(parse_sum, ("1", "x")).is_err());
}

#[task]
fn boxed_error(input: &str) -> Result<u32, Box<dyn std::error::Error>> {
    scheduler::yield_now();
    if input.is_empty() {
        return Err("empty".into());
    }
    Ok(input.parse::<u32>()?)
}

#[test]
fn question_mark_converts_errors_and_return_works() {
    assert_eq!(run!(boxed_error, ("5",)).unwrap(), 5);
    assert_eq!(run!(boxed_error, ("",)).unwrap_err().to_string(), "empty");
    assert!(run!(boxed_error, ("x",)).is_err());
}

#[task]
fn shows(x: u32) -> impl Display {
    scheduler::yield_now();
    format!("<{x}>")
}

#[test]
fn an_impl_trait_return_type_works() {
    assert_eq!(run!(shows, (5,)).to_string(), "<5>");
}

#[task]
fn sum(data: &[u64]) -> u64 {
    scheduler::yield_now();
    data.iter().sum()
}

#[task]
fn longest<'a>(a: &'a str, b: &'a str) -> &'a str {
    scheduler::yield_now();
    if a.len() >= b.len() { a } else { b }
}

#[test]
fn reference_parameters_are_borrowed_for_the_task() {
    let data = vec![1, 2, 3];
    assert_eq!(run!(sum, (data.as_slice(),)), 6);
    let (a, b) = (String::from("long"), String::from("longer"));
    assert_eq!(run!(longest, (a.as_str(), b.as_str())), "longer");
}

#[task]
fn count_down(mut n: u32) -> u32 {
    let mut steps = 0;
    while n > 0 {
        scheduler::yield_now();
        n -= 1;
        steps += 1;
    }
    steps
}

#[test]
fn a_mut_parameter_is_mutable_in_the_body() {
    assert_eq!(run!(count_down, (3,)), 3);
}

#[task]
fn add_pair((a, b): (u32, u32), Wrapper(c): Wrapper) -> u32 {
    scheduler::yield_now();
    a + b + c
}

struct Wrapper(u32);

#[test]
fn pattern_parameters_are_destructured() {
    assert_eq!(run!(add_pair, ((1, 2), Wrapper(3))), 6);
}

#[task]
fn calls_tasks_directly(x: u32) -> u32 {
    let a = double(x); // a pause point: `a` is the u32, not a Pause
    let b: u32 = double(a) + double(1);
    a + b
}

#[test]
fn a_task_calling_a_task_directly_gets_its_value() {
    assert_eq!(run!(calls_tasks_directly, (1,)), 2 + 4 + 2);
}

#[task]
fn calls_in_std_macros() -> String {
    println!("doubled: {}", double(1));
    eprintln!("{x}", x = double(2));
    assert_eq!(double(3), 6, "{}", double(3));
    assert!(double(0) == 0);
    let v = vec![double(1), double(2)];
    let w = vec![double(5); double(1) as usize];
    let s = format!("{v:?} {w:?} {}", double(4));
    let mut out = String::new();
    out.push_str(&format!("{}", format_args!("{}", double(6))));
    use std::fmt::Write as _;
    write!(out, "-{}", double(7)).unwrap();
    format!("{s} {out}")
}

#[test]
fn calls_inside_println_assert_format_and_vec_pause() {
    assert_eq!(run!(calls_in_std_macros, ()), "[2, 4] [10, 10] 8 12-14");
}

#[task]
fn inference_still_works(text: &str) -> (u32, Vec<u32>, u32) {
    let n = "5".parse::<u32>().unwrap();
    let it = text
        .split(',')
        .map(|part| part.trim().parse::<u32>().unwrap());
    let v: Vec<u32> = it.collect();
    let total: u32 = v.iter().copied().sum();
    let d: u32 = Default::default();
    let o = v.first().map(|first| Some(*first + d));
    (n + o.flatten().unwrap_or(0), v.clone(), total)
}

#[test]
fn parse_collect_and_sum_infer_their_types() {
    assert_eq!(
        run!(inference_still_works, ("1, 2, 3",)),
        (6, vec![1, 2, 3], 6)
    );
}

#[task]
fn control_flow(items: Vec<u32>) -> u32 {
    let mut total = 0;
    for item in items.into_iter().filter(|x| *x > 0) {
        total += if item % 2 == 0 { double(item) } else { item };
    }
    let Some(last) = Some(double(total)) else {
        return 0;
    };
    let extra = match double(1) {
        2 => {
            let mut tries = 0;
            loop {
                tries += 1;
                if tries == 2 {
                    break double(tries);
                }
            }
        }
        _ => 0,
    };
    last + extra
}

#[test]
fn calls_in_control_flow_pause() {
    // 1 + 4 + 3 = 8, doubled = 16, plus 4.
    assert_eq!(run!(control_flow, (vec![0, 1, 2, 3],)), 20);
}

#[task]
fn closures_are_plain_code(values: Vec<u32>) -> Vec<u32> {
    let offset = double(1);
    values
        .iter()
        .map(|v| v.checked_add(offset).unwrap_or(0))
        .collect()
}

#[test]
fn plain_calls_inside_closures_still_work() {
    assert_eq!(run!(closures_are_plain_code, (vec![1, 2],)), [3, 4]);
}

#[task]
fn nested_items_are_left_alone() -> u32 {
    fn helper(x: u32) -> u32 {
        x + 1
    }
    const BASE: u32 = 10;
    helper(BASE) + double(1)
}

#[test]
fn nested_fns_and_consts_are_plain_code() {
    assert_eq!(run!(nested_items_are_left_alone, ()), 13);
}

#[task]
fn waits_on_a_foreign_future() -> u32 {
    scheduler::wait(std::future::ready(40)) + 2
}

#[test]
fn wait_bridges_a_future() {
    assert_eq!(run!(waits_on_a_foreign_future, ()), 42);
}

#[task]
fn sleeps_a_bit() -> u32 {
    scheduler::sleep(Duration::from_millis(2));
    1
}

#[task]
fn runs_another(x: u32) -> u32 {
    scheduler::run_until_finished(double, (x,)) + scheduler::run_until_finished(sleeps_a_bit, ())
}

#[test]
fn run_until_finished_inside_a_task_pauses() {
    assert_eq!(run!(runs_another, (4,)), 9);
}

#[task(name = "custom")]
fn named_task() -> u32 {
    1
}

#[test]
fn a_name_argument_names_the_task() {
    let s = Scheduler::new();
    let handle = s.queue_to_run(named_task, ());
    assert_eq!(handle.name().to_string(), "custom");
    s.run();
}

#[test]
fn a_task_is_named_after_its_path() {
    let s = Scheduler::new();
    let handle = s.queue_to_run(double, (1,));
    assert_eq!(handle.name().to_string(), "task_macro::double");
    let method = s.queue_to_run(Counter::starting_at, (1,));
    assert_eq!(
        method.name().to_string(),
        "task_macro::Counter::starting_at"
    );
    s.run();
}

#[scheduler::test]
fn the_test_attribute_runs_its_body_as_a_task() {
    scheduler::sleep(Duration::from_millis(1));
    assert_eq!(double(2), 4);
}

#[scheduler::test]
fn the_test_attribute_accepts_a_result() -> Result<(), std::num::ParseIntError> {
    let n: u32 = "12".parse()?;
    assert_eq!(double(n), 24);
    Ok(())
}

#[scheduler::test]
#[should_panic(expected = "boom")]
fn the_test_attribute_keeps_should_panic() {
    scheduler::yield_now();
    panic!("boom");
}

#[scheduler::test]
fn the_test_task_is_named_after_the_test() {
    let name = scheduler::queue_to_run(double, (1,)).name().to_string();
    assert_eq!(name, "task_macro::double");
}

/// Compiles only when `f`'s pause value is `Send`; never calls `f`.
fn assert_send<F: Send>(_: fn() -> F) {}

#[task]
fn holds_values_across_pauses() -> String {
    let label = String::from("x");
    let n = double(1);
    println!("{label} {}", double(n));
    format!("{label}{}", double(2))
}

#[test]
fn pause_values_of_send_bodies_are_send() {
    assert_send(holds_values_across_pauses);
    assert_send(calls_in_std_macros);
    assert_send(nested_items_are_left_alone);
}

#[task]
fn countdown(n: u32) -> u32 {
    if n == 0 {
        return 0;
    }
    let handle = scheduler::queue_to_run(countdown, (n - 1,));
    handle.join().unwrap() + 1
}

#[test]
fn a_task_can_queue_itself_and_join() {
    assert_eq!(run!(countdown, (3,)), 3);
}

#[task]
fn ping(n: u32) -> u32 {
    if n == 0 {
        return 0;
    }
    // Two task fns that queue each other: through a closure, whose task the compiler does
    // not need to look into here (queued by name, `pong`'s type and `ping`'s would depend on
    // each other: a cycle the compiler rejects).
    scheduler::queue_to_run(move || pong(n - 1), ())
        .join()
        .unwrap()
        + 1
}

#[task]
fn pong(n: u32) -> u32 {
    if n == 0 {
        return 0;
    }
    scheduler::queue_to_run(move || ping(n - 1), ())
        .join()
        .unwrap()
        + 1
}

#[test]
fn two_tasks_can_queue_each_other_through_closures() {
    assert_eq!(run!(ping, (5,)), 5);
}

#[test]
fn a_parameter_bound_to_underscore_lives_until_the_task_ends_as_in_an_async_fn() {
    use std::cell::Cell;
    use std::rc::Rc;

    struct Guard(Rc<Cell<bool>>);
    impl Drop for Guard {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }

    #[scheduler::task]
    fn holds(_: Guard, (dropped, _): (Rc<Cell<bool>>, u8)) -> bool {
        scheduler::yield_now();
        dropped.get() // still held here
    }

    let dropped = Rc::new(Cell::new(false));
    let s = scheduler::Scheduler::new();
    let held = s.run_until_finished(holds, (Guard(dropped.clone()), (dropped.clone(), 0)));
    assert!(!held, "the guard was dropped before the task ran");
    assert!(dropped.get(), "and it is dropped once the task ends");
}
