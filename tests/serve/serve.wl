# The mix of mix.wl, smaller: fired repeatedly by tests/serve for rates.
# vms 2 vcpus 2
seed 1
count 500
# exit WEIGHT STATUS REASON LEAF GUEST_LO GUEST_HI RESTORE_LO RESTORE_HI RESTORED
# TDVMCALL HLT: the guest idles, long and widely spread
exit 30 77 12 12 2000 4000000 300 900 0x2
# external interrupts
exit 20 1 1 0 500 60000 300 900 0x2
# EPT violations (private page faults)
exit 10 48 48 0 1000 50000 300 1200 0x6
# MMIO: TDVMCALL with the EPT_VIOLATION leaf, handled as EPT_MISCONFIG
exit 10 77 49 48 800 30000 300 900 0x2
# port IO, MSR read and write, CPUID
exit 6 77 30 30 600 9000 300 900 0x2
exit 4 77 31 31 600 9000 300 900 0x2
exit 3 77 32 32 600 9000 300 900 0x3
exit 5 77 10 10 600 9000 300 900 0x2
# GHCI leaves: MapGPA and GetQuote
exit 4 77 77 0x10001 5000 400000 300 900 0xe
exit 1 77 77 0x10002 20000 900000 300 900 0x2
deferred 3
gsbase 5 100 400
uret 5 0xf 4 300 1200
