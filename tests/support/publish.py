"""Helpers shared by several test modules (from test_publish.py)."""

from __future__ import annotations

DIFF = """\
diff --git a/src/app.py b/src/app.py
index 1111111..2222222 100644
--- a/src/app.py
+++ b/src/app.py
@@ -1,5 +1,7 @@
 import os
+import subprocess
 
 def run(cmd):
-    os.system(cmd)
+    subprocess.run(cmd, shell=True)
+    return True
 
@@ -20,3 +22,4 @@ def other():
     a = 1
     b = 2
+    c = 3
     return a
diff --git a/old.py b/old.py
deleted file mode 100644
index 3333333..0000000
--- a/old.py
+++ /dev/null
@@ -1,2 +0,0 @@
-x = 1
-y = 2
diff --git a/new.py b/new.py
new file mode 100644
index 0000000..4444444
--- /dev/null
+++ b/new.py
@@ -0,0 +1,3 @@
+def f():
+    return 1
+
"""  # noqa: W293 - a blank line of context in a unified diff is a single space
