"""Members' own data: a copy on request (`/mydata`), erasure (`/forgetme`)."""
