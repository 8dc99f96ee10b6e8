export {
  createKeyRing,
  keyRingFor,
  KeyRingError,
  KEY_BYTES,
  type KeyRing,
  type EncryptionConfig,
} from './key-ring.ts';
export {
  seal,
  open,
  inspectSealed,
  SealError,
  SEAL_VERSION,
  type SealAad,
  type SealErrorCode,
} from './seal.ts';
export { fingerprintToken, isFingerprint, FINGERPRINT_PATTERN } from './fingerprint.ts';
export { registerSealedColumn, listSealedColumns, type SealedColumn } from './sealed-columns.ts';
export {
  rotateSealedColumns,
  countSealedByKey,
  retryBusy,
  type RotationReport,
  type ColumnRotationReport,
} from './rotation.ts';
