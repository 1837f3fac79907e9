"""The reviewer's desk: changes in accounting terms, approvals, locked periods, the audit."""
