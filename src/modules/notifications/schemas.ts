import { z } from 'zod';
import { field } from '../../web/forms';

/** "Mark all as read": upTo is the newest notification the page showed (hidden field). */
export const readAllSchema = z.object({ upTo: field.optionalId() });
