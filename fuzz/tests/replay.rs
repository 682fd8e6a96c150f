//! The fuzzer's inputs replayed by the test suite, on an uninstrumented build (`scripts/test.sh
//! fuzz`; `scripts/fuzz.sh` runs the instrumented campaigns):
//! - every seed reaches its steps and end state, in fast and in full-check mode;
//! - every past finding (`fuzz/regressions`) and every input of the checked-in corpus
//!   (`fuzz/corpus`: a campaign's minimised corpus) passes in full-check mode: every invariant
//!   after every block, on the real trie;
//! - fast mode, what libFuzzer runs, leaves exactly the state full mode leaves, for all of them.

use nexus_runtime_fuzz::{
	action::{decode_actions, encode_actions, Action},
	engine::Mode,
	execute_with_delta, run_in, same_state, seeds,
};
use std::path::Path;

fn inputs(dir: &str) -> Vec<(String, Vec<Action>)> {
	let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
	let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
	let mut out: Vec<(String, Vec<Action>)> = entries
		.filter_map(Result::ok)
		.map(|e| e.path())
		.filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
		.map(|p| {
			let data = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
			(p.display().to_string(), decode_actions(&data))
		})
		.filter(|(_, actions)| !actions.is_empty())
		.collect();
	out.sort_by(|a, b| a.0.cmp(&b.0));
	out
}

fn assert_modes_agree(name: &str, actions: &[Action]) {
	let fast = execute_with_delta(actions, Mode::Fast);
	let full = execute_with_delta(actions, Mode::Full);
	if let Err(e) = same_state(&fast, &full) {
		panic!("{name}: fast and full modes differ: {e}");
	}
}

#[test]
fn seeds_reach_their_steps_in_both_modes() {
	let fast = seeds::check(Mode::Fast);
	let full = seeds::check(Mode::Full);
	assert_eq!(fast.len(), full.len());
	for (name, actions, _) in &fast {
		assert_modes_agree(name, actions);
	}
}

#[test]
fn regressions_pass_with_every_check_after_every_block() {
	let regressions = inputs("regressions");
	assert!(!regressions.is_empty(), "fuzz/regressions holds the past findings");
	for (name, actions) in regressions {
		run_in(&encode_actions(&actions), Mode::Full);
		assert_modes_agree(&name, &actions);
	}
}

#[test]
fn corpus_passes_with_every_check_after_every_block() {
	let corpus = inputs("corpus");
	println!("{} corpus inputs", corpus.len());
	for (name, actions) in corpus {
		run_in(&encode_actions(&actions), Mode::Full);
		assert_modes_agree(&name, &actions);
	}
}

/// Every jump length below 2^19 has an encoding, which decodes to it.
#[test]
fn jump_lengths_round_trip() {
	for blocks in (1..1 << 19).step_by(997).chain([1, 2, 3, 100_800, (1 << 19) - 1]) {
		let Action::Jump { scale, fraction, .. } = Action::jump(blocks, 0) else { unreachable!() };
		assert_eq!(Action::jump_blocks(scale, fraction), blocks);
	}
}

/// A jump of ten days executes only the blocks a live chain cannot skip: its session
/// boundaries.
#[test]
fn a_long_jump_executes_only_its_stops() {
	// Inputs start at block 2 (block 1 is the fuzzing genesis's): a jump of `blocks` lands on
	// block `blocks + 3`.
	let blocks = 10 * nexus_runtime::DAYS;
	let (report, _) = execute_with_delta(&[Action::jump(blocks, 0)], Mode::Fast);
	let sessions = (blocks + 3) / nexus_runtime_fuzz::FUZZ_SESSION_LENGTH;
	assert_eq!(report.height, blocks + 3);
	assert_eq!(report.stops, sessions, "{report:?}");
	assert_eq!(report.blocks, sessions + 2, "{report:?}");
}
