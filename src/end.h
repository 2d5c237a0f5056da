#ifdef __cplusplus
}
#endif

#endif /* SIO_H */

