//! Two small macros for the shapes every crate of the workspace writes many times: builder
//! setters, and enums whose variants each have one name. Written once here, so that a setter
//! or a name table reads as a table (what is set, and where) rather than as five lines of
//! `mut self … self` each.

/// Writes builder methods that store their one argument and return the builder, from a table of
/// `name(arg: Type) => where;` rows, inside `impl YourBuilder { .. }`:
///
/// - `=> field` (or `=> field.inner`) stores the argument, converted with `into`;
/// - `=> Some(field)` stores `Some(argument.into())`;
/// - `=> push(field)` pushes `argument.into()` onto a `Vec`.
///
/// Each row keeps its own doc comment. A setter that checks or clamps its argument is written
/// by hand beside the table.
///
/// ```
/// use std::time::Duration;
///
/// #[derive(Default)]
/// pub struct Query { page: u32, cursor: Option<String>, ids: Vec<String>, timeouts: Timeouts }
/// #[derive(Default)]
/// pub struct Timeouts { read: Duration }
///
/// impl Query {
///     payout_core::setters! {
///         /// Sets the page, from 0.
///         page(page: u32) => page;
///         /// Continues from a cursor.
///         cursor(cursor: impl Into<String>) => Some(cursor);
///         /// Adds an id to match.
///         id(id: impl Into<String>) => push(ids);
///         /// The read timeout.
///         read_timeout(timeout: Duration) => timeouts.read;
///     }
/// }
///
/// let q = Query::default().page(2).cursor("c").id("a").id("b").read_timeout(Duration::from_secs(1));
/// assert_eq!((q.page, q.cursor.as_deref(), q.ids.len(), q.timeouts.read.as_secs()), (2, Some("c"), 2, 1));
/// ```
#[macro_export]
macro_rules! setters {
    () => {};
    ($(#[$attr:meta])* $name:ident($arg:ident: $ty:ty) => Some($($field:ident).+); $($rest:tt)*) => {
        $(#[$attr])*
        #[allow(clippy::useless_conversion)]
        pub fn $name(mut self, $arg: $ty) -> Self {
            self.$($field).+ = Some($arg.into());
            self
        }
        $crate::setters!($($rest)*);
    };
    ($(#[$attr:meta])* $name:ident($arg:ident: $ty:ty) => push($($field:ident).+); $($rest:tt)*) => {
        $(#[$attr])*
        #[allow(clippy::useless_conversion)]
        pub fn $name(mut self, $arg: $ty) -> Self {
            self.$($field).+.push($arg.into());
            self
        }
        $crate::setters!($($rest)*);
    };
    ($(#[$attr:meta])* $name:ident($arg:ident: $ty:ty) => $($field:ident).+; $($rest:tt)*) => {
        $(#[$attr])*
        #[allow(clippy::useless_conversion)]
        pub fn $name(mut self, $arg: $ty) -> Self {
            self.$($field).+ = $arg.into();
            self
        }
        $crate::setters!($($rest)*);
    };
}

/// Gives an enum of unit variants one name each, from a table of `Variant => "name"` rows:
/// `ALL` (every variant, in the table's order), `as_str`, and `Display` printing the name.
///
/// With `parse: ErrorType "what"`, also `FromStr` (the name, trimmed and in any case) and
/// `ErrorType(input)`, its error, which reads "unknown what `input`; expected one of …" with
/// every name.
///
/// ```
/// #[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// pub enum Side { Buy, Sell }
///
/// payout_core::names!(Side, parse: UnknownSide "side" { Buy => "buy", Sell => "sell" });
///
/// assert_eq!(Side::ALL, [Side::Buy, Side::Sell]);
/// assert_eq!(Side::Sell.to_string(), "sell");
/// assert_eq!(" BUY ".parse::<Side>(), Ok(Side::Buy));
/// let err = "hold".parse::<Side>().unwrap_err();
/// assert_eq!(err, UnknownSide("hold".into()));
/// assert_eq!(err.to_string(), "unknown side `hold`; expected one of buy, sell");
/// ```
#[macro_export]
macro_rules! names {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every variant, in the order of its name table.
            pub const ALL: [$ty; [$($name),+].len()] = [$($ty::$variant),+];

            /// Its name, as stored, printed and parsed.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)+
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
    ($ty:ident, parse: $err:ident $what:literal { $($table:tt)* }) => {
        $crate::names!($ty { $($table)* });

        #[doc = concat!("A ", $what, " name that is not one of [`", stringify!($ty), "::ALL`]'s.")]
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $err(pub String);

        impl ::std::fmt::Display for $err {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, concat!("unknown ", $what, " `{}`; expected one of "), self.0)?;
                for (i, v) in $ty::ALL.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(v.as_str())?;
                }
                Ok(())
            }
        }

        impl ::std::error::Error for $err {}

        impl ::std::str::FromStr for $ty {
            type Err = $err;

            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                let name = s.trim();
                $ty::ALL.into_iter().find(|v| v.as_str().eq_ignore_ascii_case(name)).ok_or_else(|| $err(s.into()))
            }
        }
    };
}
