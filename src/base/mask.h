/* mask.h — masking personal data for readers who may see that a value exists but not the value
 * (the API's analyst role, docs/api.md): an email keeps its first character and domain
 * ("z***@hotmail.com"), a phone its country code, first three and last four digits
 * ("+86 138****8000"), a name its initial ("Z."). Used by the customer view and the segment
 * sample; every function writes a NUL-terminated string into out (cap >= 8) and handles any
 * input bytes, however malformed. */
#ifndef ENCORE_MASK_H
#define ENCORE_MASK_H
#include <stddef.h>

void enc_mask_email(const char *email, char *out, size_t cap);
/* phone: E.164 ("+8613812348000") as the store keeps it; other forms keep their last 4 digits */
void enc_mask_phone(const char *phone, char *out, size_t cap);
/* the first character (a whole UTF-8 sequence) and a full stop */
void enc_mask_name(const char *name, char *out, size_t cap);
/* a birthday "YYYY-MM-DD" keeps its year: "1990-**-**" */
void enc_mask_birthday(const char *day, char *out, size_t cap);
#endif
