process.stdout.write('errand\n');
