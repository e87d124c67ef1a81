"""The textbook's ``common`` package: each module re-exports nn under the book's module and class names."""
