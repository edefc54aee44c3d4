// GRIP module
