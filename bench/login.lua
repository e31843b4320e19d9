-- wrk script: the login server function, as the hydrated login form posts it.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "application/json"
wrk.body = "mode=user&env=test&pspid=demo&user_id=admin&password=" .. (os.getenv("BENCH_PASSWORD_URLENCODED") or "")
