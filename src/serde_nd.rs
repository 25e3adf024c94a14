//! Serde adapters that write ndarray matrices as nested lists (`[[..], [..]]`) and vectors as
//! lists, the shape JSON readers and Python expect.

use ndarray::{Array1, Array2};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

fn to_rows(m: &Array2<f64>) -> Vec<Vec<f64>> {
    m.rows().into_iter().map(|r| r.to_vec()).collect()
}

fn from_rows<E: serde::de::Error>(rows: Vec<Vec<f64>>) -> Result<Array2<f64>, E> {
    let r = rows.len();
    let c = rows.first().map_or(0, Vec::len);
    if rows.iter().any(|row| row.len() != c) {
        return Err(E::custom("matrix rows have different lengths"));
    }
    Array2::from_shape_vec((r, c), rows.into_iter().flatten().collect()).map_err(E::custom)
}

/// `Array2<f64>` as a list of rows.
pub mod matrix {
    use super::*;

    /// Serialise.
    pub fn serialize<S: Serializer>(m: &Array2<f64>, s: S) -> Result<S::Ok, S::Error> {
        to_rows(m).serialize(s)
    }

    /// Deserialise.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Array2<f64>, D::Error> {
        from_rows(Vec::<Vec<f64>>::deserialize(d)?)
    }
}

/// `Option<Array2<f64>>` as a list of rows or null.
pub mod option_matrix {
    use super::*;

    /// Serialise.
    pub fn serialize<S: Serializer>(m: &Option<Array2<f64>>, s: S) -> Result<S::Ok, S::Error> {
        m.as_ref().map(to_rows).serialize(s)
    }

    /// Deserialise.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Array2<f64>>, D::Error> {
        Option::<Vec<Vec<f64>>>::deserialize(d)?
            .map(from_rows)
            .transpose()
    }
}

/// `Array1<f64>` as a list.
pub mod vector {
    use super::*;

    /// Serialise.
    pub fn serialize<S: Serializer>(v: &Array1<f64>, s: S) -> Result<S::Ok, S::Error> {
        v.to_vec().serialize(s)
    }

    /// Deserialise.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Array1<f64>, D::Error> {
        Ok(Array1::from(Vec::<f64>::deserialize(d)?))
    }
}
