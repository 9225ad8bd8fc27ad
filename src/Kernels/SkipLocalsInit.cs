// The kernels' stack buffers (a LoRA panel, carried accumulators) are written before they are read; zeroing them
// on every call is work a short part pays for nothing.
[module: System.Runtime.CompilerServices.SkipLocalsInit]
