//! The complex numbers of eigenvalues and eigenvectors, with their arithmetic.

use serde::{Deserialize, Serialize};

/// A complex number `re + i im`, as returned by [`eigenvalues`](super::eigenvalues).
///
/// # Formula
/// ```text
/// z = re + i im,   |z| = sqrt(re^2 + im^2)
/// ```
///
/// # Complexity
/// Constant size.
///
/// # Example
/// ```
/// use mobility::linalg::Complex;
/// let z = Complex { re: 3.0, im: -4.0 };
/// assert_eq!(z.modulus(), 5.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Complex {
    /// Real part.
    pub re: f64,
    /// Imaginary part.
    pub im: f64,
}

impl Complex {
    /// The modulus (absolute value) `|z|`, computed without overflow.
    ///
    /// # Formula
    /// ```text
    /// |z| = sqrt(re^2 + im^2)   (f64::hypot)
    /// ```
    ///
    /// # Complexity
    /// O(1).
    ///
    /// # Example
    /// ```
    /// use mobility::linalg::Complex;
    /// assert_eq!(Complex { re: 0.0, im: -2.0 }.modulus(), 2.0);
    /// ```
    pub fn modulus(&self) -> f64 {
        self.re.hypot(self.im)
    }
}

impl Complex {
    /// Zero.
    pub(crate) const ZERO: Complex = Complex { re: 0.0, im: 0.0 };

    /// `re + i im`.
    pub(crate) fn new(re: f64, im: f64) -> Complex {
        Complex { re, im }
    }

    /// The conjugate `re - i im`.
    pub(crate) fn conj(self) -> Complex {
        Complex::new(self.re, -self.im)
    }

    /// `s z` for a real `s`.
    pub(crate) fn scale(self, s: f64) -> Complex {
        Complex::new(self.re * s, self.im * s)
    }
}

impl std::ops::Add for Complex {
    type Output = Complex;
    fn add(self, o: Complex) -> Complex {
        Complex::new(self.re + o.re, self.im + o.im)
    }
}

impl std::ops::Sub for Complex {
    type Output = Complex;
    fn sub(self, o: Complex) -> Complex {
        Complex::new(self.re - o.re, self.im - o.im)
    }
}

impl std::ops::Mul for Complex {
    type Output = Complex;
    fn mul(self, o: Complex) -> Complex {
        Complex::new(
            self.re * o.re - self.im * o.im,
            self.re * o.im + self.im * o.re,
        )
    }
}

impl std::ops::Div for Complex {
    type Output = Complex;
    fn div(self, o: Complex) -> Complex {
        let d = o.re * o.re + o.im * o.im;
        Complex::new(
            (self.re * o.re + self.im * o.im) / d,
            (self.im * o.re - self.re * o.im) / d,
        )
    }
}
