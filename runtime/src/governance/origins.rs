//! The custom origins of Nexus Vault's referendum tracks, and the genesis choice of track
//! timings.
//!
//! An origin here is only ever produced by the scheduler dispatching an approved referendum of
//! its track (see [`super::tracks`]); nothing else can create one.

pub use pallet_nexus_origins::*;

// The pallet macros' generated code uses `expect` on values that are always present.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet_nexus_origins {
	use crate::{Balance, NXV};
	use frame_support::{pallet_prelude::*, traits::OriginTrait};

	/// The most the treasurer track may spend in one approved spend (Root is unbounded).
	pub const TREASURER_MAX_SPEND: Balance = 10_000_000 * NXV;

	#[pallet::config]
	pub trait Config: frame_system::Config {}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// The origin of a referendum track other than root.
	#[derive(
		PartialEq, Eq, Clone, MaxEncodedLen, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug,
	)]
	#[pallet::origin]
	pub enum Origin {
		/// Track 1: fee parameters, the NXV price and the tier table.
		FeeParameters,
		/// Track 2: treasury spends and rejections.
		Treasurer,
		/// Track 3: reserve claims, gateway and capsule suspensions, dispute rulings.
		ReserveEmergency,
	}

	/// Which timings the referendum tracks use.
	#[derive(
		PartialEq,
		Eq,
		Clone,
		Copy,
		Default,
		MaxEncodedLen,
		Encode,
		Decode,
		DecodeWithMemTracking,
		TypeInfo,
		Debug,
		serde::Serialize,
		serde::Deserialize,
	)]
	pub enum TrackTiming {
		/// Days: what a live network uses.
		#[default]
		Live,
		/// Blocks: a referendum completes within about a minute, for development and tests.
		Development,
	}

	/// The track timings, set at genesis (only Root can change it, with `system.set_storage`).
	#[pallet::storage]
	pub type Timing<T> = StorageValue<_, TrackTiming, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The track timings.
		pub timing: TrackTiming,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Timing::<T>::put(self.timing);
		}
	}

	/// `EnsureOrigin` for each unit origin: succeeds only for that origin.
	macro_rules! decl_unit_ensures {
		( $( $name:ident ),* ) => { $(
			#[doc = concat!("Succeeds for [`Origin::", stringify!($name), "`] only.")]
			pub struct $name;
			impl<O: OriginTrait + From<Origin>> EnsureOrigin<O> for $name
			where
				for<'a> &'a O::PalletsOrigin: TryInto<&'a Origin>,
			{
				type Success = ();
				fn try_origin(o: O) -> Result<Self::Success, O> {
					if matches!(o.caller().try_into(), Ok(Origin::$name)) {
						Ok(())
					} else {
						Err(o)
					}
				}
				#[cfg(feature = "runtime-benchmarks")]
				fn try_successful_origin() -> Result<O, ()> {
					Ok(O::from(Origin::$name))
				}
			}
		)* };
	}
	decl_unit_ensures!(FeeParameters, Treasurer, ReserveEmergency);

	/// The treasurer track as a spend origin: succeeds with [`TREASURER_MAX_SPEND`].
	pub struct Spender;
	impl<O: OriginTrait + From<Origin>> EnsureOrigin<O> for Spender
	where
		for<'a> &'a O::PalletsOrigin: TryInto<&'a Origin>,
	{
		type Success = Balance;
		fn try_origin(o: O) -> Result<Self::Success, O> {
			if matches!(o.caller().try_into(), Ok(Origin::Treasurer)) {
				Ok(TREASURER_MAX_SPEND)
			} else {
				Err(o)
			}
		}
		#[cfg(feature = "runtime-benchmarks")]
		fn try_successful_origin() -> Result<O, ()> {
			Ok(O::from(Origin::Treasurer))
		}
	}
}
