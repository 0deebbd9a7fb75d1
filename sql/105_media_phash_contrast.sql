-- How much a photo's grey thumbnail varies (its standard deviation, in grey levels of 255),
-- measured with its perceptual hash. A flat or near-uniform picture (a black photo, a white
-- wall) hashes like any other flat one, so it is not compared by perceptual hash, only by
-- SHA-256 (PerceptualHash.isComparable; docs/jobs-and-proofs.md#evidence-facts-and-checks).
-- NULL for photos hashed before this column: they are judged by their hash alone.
-- (The check is added apart: Citus refuses ADD COLUMN with a constraint on a distributed table.)
ALTER TABLE media ADD COLUMN phash_contrast real;
ALTER TABLE media ADD CONSTRAINT media_phash_contrast_check CHECK (phash_contrast >= 0);
