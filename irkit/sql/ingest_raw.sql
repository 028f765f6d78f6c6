-- Rows a loader returned without raw text (an OpenTelemetry span given as null has no text of its
-- own) get the text of the record that holds them, so that no quarantined row is without evidence.
-- Uses: normalized, records. Binds nothing.
UPDATE normalized
SET raw = r.raw
FROM records r
WHERE normalized.raw IS NULL
  AND normalized.file_id = r.file_id AND normalized.evidence_offset = r.evidence_offset
  AND starts_with(normalized.evidence_path, r.evidence_path)
