/** The Nexmark tables and their columns, as RisingWave and Flink declare them. */
import type { Column } from '../../catalog/types.js';

export const NEXMARK_TABLES = ['person', 'auction', 'bid'] as const;
export type NexmarkTable = (typeof NEXMARK_TABLES)[number];

const col = (name: string, type: string): Column => ({ name, type });

export const NEXMARK_COLUMNS: Readonly<Record<NexmarkTable, readonly Column[]>> = {
  person: [
    col('id', 'BIGINT'),
    col('name', 'VARCHAR'),
    col('email_address', 'VARCHAR'),
    col('credit_card', 'VARCHAR'),
    col('city', 'VARCHAR'),
    col('state', 'VARCHAR'),
    col('date_time', 'TIMESTAMP'),
    col('extra', 'VARCHAR'),
  ],
  auction: [
    col('id', 'BIGINT'),
    col('item_name', 'VARCHAR'),
    col('description', 'VARCHAR'),
    col('initial_bid', 'BIGINT'),
    col('reserve', 'BIGINT'),
    col('date_time', 'TIMESTAMP'),
    col('expires', 'TIMESTAMP'),
    col('seller', 'BIGINT'),
    col('category', 'BIGINT'),
    col('extra', 'VARCHAR'),
  ],
  bid: [
    col('auction', 'BIGINT'),
    col('bidder', 'BIGINT'),
    col('price', 'BIGINT'),
    col('channel', 'VARCHAR'),
    col('url', 'VARCHAR'),
    col('date_time', 'TIMESTAMP'),
    col('extra', 'VARCHAR'),
  ],
};
