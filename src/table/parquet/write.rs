//! Writing Parquet: a table, a batch at a time, as one snappy row group per call.

use super::*;

/// Writes tables as Parquet, one row group per [`ParquetWriter::write`]: numeric columns as
/// doubles, categorical ones as dictionary-encoded strings, booleans as booleans, every
/// column optional (a missing cell is a null, a NaN is written as a null), snappy-compressed.
/// `score --out X.parquet` writes its batches through it, so the file grows row group by
/// row group as the input is read.
pub struct ParquetWriter<W: std::io::Write + Send> {
    writer: parquet::file::writer::SerializedFileWriter<W>,
    columns: Vec<(String, ColumnKind)>,
}

impl<W: std::io::Write + Send> ParquetWriter<W> {
    /// A writer of tables with these columns (names and kinds, in order).
    pub fn new(output: W, columns: &[(String, ColumnKind)]) -> Result<Self, TableError> {
        use parquet::schema::types::Type;
        let failed = |e: parquet::errors::ParquetError| TableError::ParquetWrite {
            message: e.to_string(),
        };
        let mut fields = Vec::with_capacity(columns.len());
        for (name, kind) in columns {
            let (physical, logical) = match kind {
                ColumnKind::Numeric => (Physical::DOUBLE, None),
                ColumnKind::Categorical => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
                ColumnKind::Boolean => (Physical::BOOLEAN, None),
            };
            let field = Type::primitive_type_builder(name, physical)
                .with_repetition(parquet::basic::Repetition::OPTIONAL)
                .with_logical_type(logical)
                .build()
                .map_err(failed)?;
            fields.push(Arc::new(field));
        }
        let schema = Type::group_type_builder("schema")
            .with_fields(fields)
            .build()
            .map_err(failed)?;
        let properties = parquet::file::properties::WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("driftlab {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer = parquet::file::writer::SerializedFileWriter::new(
            output,
            Arc::new(schema),
            Arc::new(properties),
        )
        .map_err(failed)?;
        Ok(ParquetWriter {
            writer,
            columns: columns.to_vec(),
        })
    }

    /// Writes `table` as one row group; its columns must be those given to [`Self::new`].
    pub fn write(&mut self, table: &Table) -> Result<(), TableError> {
        use parquet::data_type::{BoolType, ByteArrayType, DoubleType};
        let failed = |e: parquet::errors::ParquetError| TableError::ParquetWrite {
            message: e.to_string(),
        };
        let mut group = self.writer.next_row_group().map_err(failed)?;
        for (name, kind) in &self.columns {
            let column = table.require(name)?;
            if column.kind() != *kind {
                return Err(TableError::ParquetWrite {
                    message: format!(
                        "column {name:?} is {} but the file's column is {kind}",
                        column.kind()
                    ),
                });
            }
            let Some(mut writer) = group.next_column().map_err(failed)? else {
                return Err(TableError::ParquetWrite {
                    message: format!("no room for column {name:?}"),
                });
            };
            let defs: Vec<i16> = (0..column.len())
                .map(|r| i16::from(!column.is_missing(r)))
                .collect();
            match &column.data {
                ColumnData::Numeric(v) => {
                    let present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                    writer
                        .typed::<DoubleType>()
                        .write_batch(&present, Some(&defs), None)
                }
                ColumnData::Boolean(v) => {
                    let present: Vec<bool> = v.iter().filter_map(|b| *b).collect();
                    writer
                        .typed::<BoolType>()
                        .write_batch(&present, Some(&defs), None)
                }
                ColumnData::Categorical { codes, levels } => {
                    let present: Vec<ByteArray> = codes
                        .iter()
                        .filter_map(|&c| levels.get(c as usize))
                        .map(|s| ByteArray::from(s.as_str()))
                        .collect();
                    writer
                        .typed::<ByteArrayType>()
                        .write_batch(&present, Some(&defs), None)
                }
            }
            .map_err(failed)?;
            writer.close().map_err(failed)?;
        }
        group.close().map_err(failed)?;
        Ok(())
    }

    /// Writes the footer and returns the output.
    pub fn finish(self) -> Result<W, TableError> {
        self.writer
            .into_inner()
            .map_err(|e| TableError::ParquetWrite {
                message: e.to_string(),
            })
    }
}

/// Writes `table` as a Parquet file of one row group (see [`ParquetWriter`]).
pub fn write_parquet<W: std::io::Write + Send>(table: &Table, output: W) -> Result<W, TableError> {
    let columns: Vec<(String, ColumnKind)> = table
        .columns()
        .iter()
        .map(|c| (c.name.clone(), c.kind()))
        .collect();
    let mut writer = ParquetWriter::new(output, &columns)?;
    writer.write(table)?;
    writer.finish()
}
