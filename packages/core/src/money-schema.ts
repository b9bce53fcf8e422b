import * as z from 'zod';
import { isDecimalString } from './money.js';

/** zod schema for a decimal string at an edge (request bodies, DynamoDB items). */
export const DecimalStringSchema = z
  .string()
  .refine(isDecimalString, { message: 'expected a plain decimal string like "1234.50"' });
