// SPDX-License-Identifier: BSD-3-Clause
// CppUTest entry point for the unit suites.
#include <CppUTest/CommandLineTestRunner.h>

int main(int argc, char **argv)
{
	return CommandLineTestRunner::RunAllTests(argc, argv);
}
