//! The scenario's generator: xoshiro256** seeded per path by splitmix64, and standard normal
//! draws by Box–Muller. Deterministic: one seed, one set of paths, on every machine and in the
//! browser.

/// Path `p`'s seed from the run's `seed`.
pub fn seed_of(seed: u64, p: u32) -> u64 {
	seed ^ u64::from(p).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// xoshiro256**.
pub struct Rng {
	s: [u64; 4],
	spare: Option<f64>,
}

fn splitmix(x: &mut u64) -> u64 {
	*x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
	let mut z = *x;
	z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
	z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
	z ^ (z >> 31)
}

impl Rng {
	/// A generator from `seed`.
	pub fn new(seed: u64) -> Self {
		let mut x = seed;
		Self {
			s: [splitmix(&mut x), splitmix(&mut x), splitmix(&mut x), splitmix(&mut x)],
			spare: None,
		}
	}

	/// The next 64 random bits.
	pub fn next_u64(&mut self) -> u64 {
		let [s0, s1, s2, s3] = self.s;
		let result = s1.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
		let t = s1 << 17;
		let (mut a, mut b, mut c, mut d) = (s0, s1, s2, s3);
		c ^= a;
		d ^= b;
		b ^= c;
		a ^= d;
		c ^= t;
		d = d.rotate_left(45);
		self.s = [a, b, c, d];
		result
	}

	/// Uniform in [0, 1).
	pub fn uniform(&mut self) -> f64 {
		// 53 random bits over 2^53.
		(self.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
	}

	/// Uniform index below `n` (`n` > 0).
	pub fn below(&mut self, n: usize) -> usize {
		let i = (self.uniform() * n as f64) as usize;
		i.min(n.saturating_sub(1))
	}

	/// A standard normal draw.
	pub fn normal(&mut self) -> f64 {
		if let Some(z) = self.spare.take() {
			return z;
		}
		let u1 = self.uniform().max(f64::MIN_POSITIVE);
		let u2 = self.uniform();
		let r = libm::sqrt(-2.0 * libm::log(u1));
		let theta = 2.0 * core::f64::consts::PI * u2;
		self.spare = Some(r * libm::sin(theta));
		r * libm::cos(theta)
	}
}
